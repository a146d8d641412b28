/** AWS region names: `eu-west-1`, `us-gov-west-1`, `cn-north-1`, `ap-southeast-5`, `eusc-de-east-1`. */
export const REGION_PATTERN = /^[a-z]{2,4}(-[a-z]+)+-\d{1,2}$/;
export const isValidRegion = (r: string): boolean => REGION_PATTERN.test(r);
