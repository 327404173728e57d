'use client';

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div className="error-box" role="alert">
      <h1>Something went wrong</h1>
      <p>{error.message || 'The specs could not be read.'}</p>
      {error.digest && <p className="muted">Reference: {error.digest}</p>}
      <button onClick={() => reset()}>Try again</button>
    </div>
  );
}
