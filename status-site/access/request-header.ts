// The header only the status site's own page sends (with the value naming what it asks): a
// cross-site form or a simple request cannot set it, so a write or a sign-in without it is refused.
export const APPROVAL_HEADER = 'x-uigate-request';
