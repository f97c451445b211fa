// asl-validator ships no type declarations; this is the part test/org-sweep-state-machine.test.ts uses
// (README "In your code": aslValidator(definition) → { isValid, errors, errorsText }).
declare module 'asl-validator' {
  interface AslValidationResult {
    readonly isValid: boolean;
    readonly errors: readonly { readonly message?: string }[];
    errorsText(separator?: string): string;
  }
  export default function aslValidator(definition: unknown): AslValidationResult;
}
