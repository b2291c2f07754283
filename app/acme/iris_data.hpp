// The Iris data set (app/acme/data/iris/, R. A. Fisher 1936 via the UCI repository) embedded in the
// binary at build time by cmake/acme_data.cmake, so the model trains without reading any file.
#pragma once

#include <string_view>

namespace tachyon::app::acme {

// iris.csv's bytes: a header line, then 150 rows of four measurements (cm) and the species.
std::string_view iris_csv();

}  // namespace tachyon::app::acme
