// Builds the one site both components make: the storefront at /, the checkout at /checkout/.
import { cp, rm } from 'node:fs/promises';

await rm('dist', { recursive: true, force: true });
await cp('apps/web/public', 'dist', { recursive: true });
await cp('apps/checkout/public', 'dist/checkout', { recursive: true });
