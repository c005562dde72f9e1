/** Init data that is not valid for its initialization data type (generateRequest rejects with TypeError). */
export class InvalidInitDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInitDataError';
  }
}
