// Exit codes, one meaning each: 0 success, 1 gate tripped (--fail-on), 2 usage or input error, 3 internal.
export const EXIT_OK = 0;
export const EXIT_GATE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 3;
