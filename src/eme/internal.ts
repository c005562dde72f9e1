// The token that lets emekit construct its interface objects while `new MediaKeys()` from a page throws,
// as for the browser's interfaces that have no constructor.
export const INTERNAL: unique symbol = Symbol('emekit.internal');

export function illegalConstructor(name: string): TypeError {
  return new TypeError(`Illegal constructor: ${name} objects are created by the user agent`);
}
