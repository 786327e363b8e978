export default function StaticQrPage() {
  return <h1>StaticQrPage</h1>;
}
