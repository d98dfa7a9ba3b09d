#ifndef SALON_CSQLITE_SHIM_H
#define SALON_CSQLITE_SHIM_H
#include <sqlite3.h>
#endif
