// The IDL's BufferSource without depending on lib.dom (Node's globals lack it).

/** What emekit accepts: any ArrayBuffer or view of one (a Node Buffer from the shared pool too; not a SharedArrayBuffer). */
export type BufferSourceInput = ArrayBuffer | ArrayBufferView;

/** What emekit hands out, spelled as lib.dom spells BufferSource, so iterators match the DOM's types. */
export type BufferSourceOutput = ArrayBuffer | ArrayBufferView<ArrayBuffer>;
