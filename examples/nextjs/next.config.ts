import path from 'node:path';
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The addon is a native module: Node loads it at run time; the bundler must leave it alone.
  serverExternalPackages: ['@libleanspec/node'],
  poweredByHeader: false,
  // `next build` also writes .next/standalone: a server.js with just the files it needs
  // (node_modules included), to run with `node` alone (README). @libleanspec/node is linked
  // from ../../bindings/node, outside this folder, and tracing leaves out what is outside its
  // root (the standalone link to the package would dangle): it starts at the repository's root,
  // so the package lands in .next/standalone/bindings/node and the server is
  // .next/standalone/examples/nextjs/server.js.
  output: 'standalone',
  outputFileTracingRoot: path.join(__dirname, '..', '..'),
  // The package finds its addon by a path made at run time: tracing copies at most its own build
  // (build/leanspec.node, after `npm install`), not the library the addon loads from beside it
  // (the bundled simdjson, through $ORIGIN), so that is named here. An addon given by
  // LEANSPEC_NODE_ADDON is not copied: the server loads it from where that variable points.
  outputFileTracingIncludes: { '/**': ['../../bindings/node/build/*.so*'] },
  webpack(config, { isServer }) {
    // `npm install ../../bindings/node` links the package from outside node_modules, and
    // webpack follows the link to its real path, where serverExternalPackages no longer
    // matches: name it as an external explicitly too.
    if (isServer) config.externals.push({ '@libleanspec/node': 'commonjs @libleanspec/node' });
    return config;
  },
};

export default nextConfig;
