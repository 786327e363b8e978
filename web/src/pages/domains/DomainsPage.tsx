export default function DomainsPage() {
  return <h1>DomainsPage</h1>;
}
