// Batch statements pass each column as one array parameter and unnest them together. For JSON
// columns an array parameter is the costly way: pg quotes and escapes every document into an
// array literal (a regular-expression pass over each), and PostgreSQL has to undo the quoting
// before it can parse the JSON. A JSON column is instead ONE JSON array, serialised once by
// JSON.stringify and split in SQL by jsonb_array_elements, zipped with the other columns:
//
//   from rows from (unnest($1::uuid[], $2::text[]), jsonb_array_elements($3::jsonb)) as v (id, key, body)
//
// An element that is JSON null arrives as the jsonb value null, not SQL NULL: a nullable column
// takes nullif(v.body, 'null').
export function jsonColumn(values: readonly unknown[]): string {
  return JSON.stringify(values.map((v) => (v === undefined ? null : v)));
}
