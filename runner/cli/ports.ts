// The local servers' default ports, apart from the servers: the command line names them in its help
// without loading what serves them.
export const DEFAULT_PORT = 7357;
export const DEFAULT_LAMBDA_PORT = 9001;
