export default function AdminPage() {
  return (
    <>
      <div className="page-header">
        <div>
          <h1>Operator console</h1>
          <p>Instance-wide settings for the operator of this qrlink server.</p>
        </div>
      </div>
      <div className="card">
        <div className="state">
          <h2>Not available yet</h2>
          <p>
            The operator console (users, workspaces, abuse reports, sign-up mode) comes with a later
            release. Until then use `qrlink admin` on the server.
          </p>
        </div>
      </div>
    </>
  );
}
