#include "pactum/store/store.h"

#include "backends.h"

namespace pactum::store {

Result<std::unique_ptr<Store>> Store::Open(std::string_view uri) {
  if (uri.starts_with("sqlite:")) {
    std::string_view path = uri.substr(7);
    if (path.starts_with("//")) path.remove_prefix(2);  // sqlite:///abs/path
    return OpenSqlite(std::string(path));
  }
  if (uri.starts_with("postgresql://") || uri.starts_with("postgres://")) return OpenPostgres(std::string(uri));
  return Error::BadRequest("the store URI must be sqlite:PATH or postgresql://..., not '" +
                           std::string(uri.substr(0, 64)) + "'");
}

Result<std::optional<std::string>> Store::Record(std::string_view id) {
  Result<std::optional<StoredRecord>> r = Version(id, std::nullopt);
  if (!r.ok()) return r.error();
  if (!*r) return std::optional<std::string>();
  return std::optional<std::string>(std::move((*r)->record));
}

}  // namespace pactum::store
