/**
 * Whether a string is valid Unicode (no lone surrogate): `String.prototype.isWellFormed`, which
 * every supported runtime has but the ES2022 lib this project compiles against does not declare.
 */
export function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}
