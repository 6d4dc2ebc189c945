#pragma once
// The SQLite schema and its migrations. The SQL stays portable where that costs nothing, so the
// PostgreSQL backend can share it (INTEGER → BIGINT, AUTOINCREMENT → GENERATED … AS IDENTITY).

#include "bridge/core/result.h"

namespace bridge::store::sqlite {

class Connection;

inline constexpr int kSchemaVersion = 6;

// Creates the tables on a new file; on an existing file checks the version and upgrades.
Result<void> migrate(Connection& db);

}  // namespace bridge::store::sqlite
