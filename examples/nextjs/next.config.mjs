/** @type {import('next').NextConfig} */
const nextConfig = {
  // The addon is a native module: Node loads it at run time; the bundler must leave it alone.
  serverExternalPackages: ['@libleanspec/node'],
  poweredByHeader: false,
  webpack(config, { isServer }) {
    // `npm install ../../bindings/node` links the package from outside node_modules, and
    // webpack follows the link to its real path, where serverExternalPackages no longer
    // matches: name it as an external explicitly too.
    if (isServer) config.externals.push({ '@libleanspec/node': 'commonjs @libleanspec/node' });
    return config;
  },
};

export default nextConfig;
