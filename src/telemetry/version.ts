/** The gateway's version (service.version), from package.json. */
import pkg from '../../package.json' with { type: 'json' };

export const GATEWAY_VERSION: string = pkg.version;
