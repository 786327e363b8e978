import { Link } from 'react-router';

export default function NotFoundPage() {
  return (
    <div className="card">
      <div className="state">
        <h1>Page not found</h1>
        <p>There is no dashboard page at this address.</p>
        <Link to="/" className="btn btn-primary">
          Go home
        </Link>
      </div>
    </div>
  );
}
