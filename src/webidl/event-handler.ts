// Event handler IDL attributes (onmessage, onkeystatuseschange) with the HTML semantics:
// one handler per name; setting it again replaces the callback but keeps its place among the listeners;
// setting null removes it, and a later non-null value is added at the end.
// https://html.spec.whatwg.org/multipage/webappapis.html#event-handler-attributes

type Handler = ((this: EventTarget, event: Event) => unknown) | object | null;

interface HandlerSlot {
  value: Handler;
  listener: ((event: Event) => void) | null;
}

const slots = new WeakMap<EventTarget, Map<string, HandlerSlot>>();

function slotFor(target: EventTarget, name: string): HandlerSlot {
  let byName = slots.get(target);
  if (!byName) {
    byName = new Map();
    slots.set(target, byName);
  }
  let slot = byName.get(name);
  if (!slot) {
    slot = { value: null, listener: null };
    byName.set(name, slot);
  }
  return slot;
}

export function getEventHandler(target: EventTarget, type: string): Handler {
  return slots.get(target)?.get(type)?.value ?? null;
}

export function setEventHandler(target: EventTarget, type: string, value: unknown): void {
  const slot = slotFor(target, type);
  // [LegacyTreatNonObjectAsNull]: primitives become null; objects (even non-callable ones) are kept.
  const handler: Handler = (typeof value === 'function' || (typeof value === 'object' && value !== null)) ? value : null;
  if (handler === null) {
    if (slot.listener) target.removeEventListener(type, slot.listener);
    slot.listener = null;
    slot.value = null;
    return;
  }
  slot.value = handler;
  if (!slot.listener) {
    slot.listener = (event: Event) => {
      const current = slot.value;
      if (typeof current !== 'function') return;
      const result = (current as (this: EventTarget, e: Event) => unknown).call(target, event);
      if (result === false) event.preventDefault();
    };
    target.addEventListener(type, slot.listener);
  }
}
