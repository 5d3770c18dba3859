// Error classes thrown by example actions and matched by `instanceof` in workflow bodies.
// Matching is by class name along the recorded class chain, so these names are the contract.

export class IntentionalError extends Error {
  override name = "IntentionalError";
}

export class ItemProcessingError extends Error {
  override name = "ItemProcessingError";
  constructor(
    message: string,
    readonly item: string,
  ) {
    super(message);
  }
}
