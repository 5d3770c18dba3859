export { isCaughtError, toCaughtError } from "./caughtError.js";
export { decodeGraph, decodeValue, encodeGraph, encodeValue } from "./codec.js";
export { errorToValue, isErrorValue, NON_ERROR_THROWN } from "./errorToValue.js";
export type { Json } from "./json.js";
export { UnserializableValueError } from "./UnserializableValueError.js";
