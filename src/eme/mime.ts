// "Parse a MIME type" (WHATWG MIME Sniffing §4.4), enough for EME content types: type, subtype and parameters.

export interface MimeType {
  readonly type: string;
  readonly subtype: string;
  readonly essence: string;
  readonly parameters: ReadonlyMap<string, string>;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const QUOTED_STRING_CODE_POINTS = /^[\t\u0020-\u007e\u0080-\u00ff]*$/;
const HTTP_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;

export function parseMimeType(input: string): MimeType | undefined {
  const text = input.replace(HTTP_WHITESPACE, '');
  let position = text.indexOf('/');
  if (position <= 0) return undefined;
  const type = text.slice(0, position);
  if (!TOKEN.test(type)) return undefined;
  let end = text.indexOf(';', position + 1);
  if (end === -1) end = text.length;
  const subtype = text.slice(position + 1, end).replace(/[\t\n\r ]+$/, '');
  if (!TOKEN.test(subtype)) return undefined;
  const parameters = new Map<string, string>();
  position = end;
  while (position < text.length) {
    position++; // skip ';'
    while (position < text.length && /[\t\n\r ]/.test(text[position]!)) position++;
    let nameEnd = position;
    while (nameEnd < text.length && text[nameEnd] !== ';' && text[nameEnd] !== '=') nameEnd++;
    const name = text.slice(position, nameEnd).toLowerCase();
    position = nameEnd;
    if (position >= text.length) break;
    if (text[position] === ';') continue;
    position++; // skip '='
    let value: string;
    if (text[position] === '"') {
      ({ value, position } = collectQuotedString(text, position));
      while (position < text.length && text[position] !== ';') position++;
    } else {
      let valueEnd = text.indexOf(';', position);
      if (valueEnd === -1) valueEnd = text.length;
      value = text.slice(position, valueEnd).replace(/[\t\n\r ]+$/, '');
      position = valueEnd;
      if (value === '') continue;
    }
    if (name !== '' && TOKEN.test(name) && QUOTED_STRING_CODE_POINTS.test(value) && !parameters.has(name)) {
      parameters.set(name, value);
    }
  }
  const lowerType = type.toLowerCase();
  const lowerSubtype = subtype.toLowerCase();
  return { type: lowerType, subtype: lowerSubtype, essence: `${lowerType}/${lowerSubtype}`, parameters };
}

function collectQuotedString(text: string, start: number): { value: string; position: number } {
  let value = '';
  let position = start + 1;
  while (position < text.length) {
    const c = text[position]!;
    if (c === '"') return { value, position: position + 1 };
    if (c === '\\') {
      position++;
      if (position >= text.length) {
        value += '\\';
        break;
      }
      value += text[position]!;
    } else {
      value += c;
    }
    position++;
  }
  return { value, position };
}

/** The RFC 6381 "codecs" parameter as a list; undefined when the parameter is absent. */
export function codecsOf(mime: MimeType): string[] | undefined {
  const codecs = mime.parameters.get('codecs');
  if (codecs === undefined) return undefined;
  return codecs.split(',').map((c) => c.trim());
}
