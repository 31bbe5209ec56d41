/** The major version of the Zizq API this client speaks; `checkCompatibility()` compares it. */
export const SUPPORTED_MAJOR = 0;
