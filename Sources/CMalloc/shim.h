#ifndef SALON_CMALLOC_SHIM_H
#define SALON_CMALLOC_SHIM_H
/* glibc's malloc tuning (mallopt), which the Glibc module does not import. */
#if defined(__linux__)
#include <malloc.h>
#endif
#endif
