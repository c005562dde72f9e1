// The base of every implementation class. Its constructor returns the object the realm made (inheriting from the
// realm's interface prototype, and from its EventTarget or Event where the interface does), so the subclass's
// fields, the spec's internal slots, are defined on the very object script holds: one object, no wrapper, and the
// implementation's methods run with it as `this` when the interface prototype's members call them.
export abstract class PlatformObject {
  constructor(object: object) {
    return object as PlatformObject;
  }
}
