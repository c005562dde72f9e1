// The IDL's BufferSource, spelled as lib.dom spells it, without depending on lib.dom (Node's globals lack it).
export type BufferSourceInput = ArrayBuffer | ArrayBufferView<ArrayBuffer>;
