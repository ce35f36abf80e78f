/**
 * Finds a key that appears twice in one JSON object, which `JSON.parse` silently resolves to the
 * last value. Scans the text once (strings, escapes and nesting), so it runs in linear time.
 * Call it on text that `JSON.parse` accepted.
 * @returns the first repeated key, or undefined
 */
export function findDuplicateKey(json: string): string | undefined {
  const objects: (Set<string> | undefined)[] = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let end = i + 1;
      while (end < json.length && json.charCodeAt(end) !== 0x22)
        end += json.charCodeAt(end) === 0x5c ? 2 : 1;
      const top = objects[objects.length - 1];
      if (expectKey && top !== undefined) {
        const key = JSON.parse(json.slice(i, end + 1)) as string;
        if (top.has(key)) return key;
        top.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === 0x7b /* { */) {
      objects.push(new Set());
      expectKey = true;
    } else if (c === 0x5b /* [ */) {
      objects.push(undefined);
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      objects.pop();
    } else if (c === 0x2c /* , */) {
      expectKey = objects[objects.length - 1] !== undefined;
    }
  }
  return undefined;
}
