/** The published JSON schema (docs/schema/image-delta.v1.json), compiled once with Ajv (draft 2020-12). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

const schemaPath = join(import.meta.dirname, '..', '..', 'docs', 'schema', 'image-delta.v1.json');
const ajv = new Ajv2020({ allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);

/** The schema's errors for `data`, as readable lines (empty when valid). */
export function schemaErrors(data: unknown): string[] {
  if (validate(data)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}
