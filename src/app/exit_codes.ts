/** The process exit codes (kafka-lag-go's: 0 ok, 1 runtime failure, 2 usage or configuration). */
export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;
