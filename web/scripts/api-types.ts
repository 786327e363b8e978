/**
 * The dashboard's API types come from docs/openapi.json, the document the server's route
 * schemas produce: `npm run gen:api` writes src/api/schema.d.ts, `--check` fails when the
 * committed file no longer matches the document (run by `npm run build:web` and `npm run lint`).
 */
import { readFile, writeFile } from 'node:fs/promises';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

const documentUrl = new URL('../../docs/openapi.json', import.meta.url);
const schemaUrl = new URL('../src/api/schema.d.ts', import.meta.url);

export async function generateApiTypes(): Promise<string> {
  const document = JSON.parse(await readFile(documentUrl, 'utf8')) as Parameters<
    typeof openapiTS
  >[0];
  return COMMENT_HEADER + astToString(await openapiTS(document));
}

const generated = await generateApiTypes();
if (process.argv.includes('--check')) {
  const committed = await readFile(schemaUrl, 'utf8').catch(() => '');
  if (committed !== generated) {
    console.error(
      'web/src/api/schema.d.ts is stale: docs/openapi.json changed. Run `npm run gen:api`.',
    );
    process.exit(1);
  }
  console.log('api types: web/src/api/schema.d.ts matches docs/openapi.json');
} else {
  await writeFile(schemaUrl, generated);
  console.log('api types: wrote web/src/api/schema.d.ts');
}
