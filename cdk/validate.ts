// Prop validation as CDK's own constructs do it: the error names the prop, the value and what is
// accepted, and is thrown while the app is synthesized, before anything reaches CloudFormation.

export function checkRange(prop: string, value: number, min: number, max: number, unit = ''): void {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(
      `uigate: ${prop} must be a whole number from ${min} to ${max}${unit ? ` ${unit}` : ''}, got ${value}`,
    );
}

export function checkNonEmpty(prop: string, values: readonly unknown[], example: string): void {
  if (values.length === 0) throw new Error(`uigate: ${prop} must name at least one, e.g. ${example}; got []`);
}
