# packaging/cpack.cmake - `cpack -G DEB` in a build directory makes two
# Debian packages from the install rules of CMakeLists.txt:
#
#   crdbload_<version>_<arch>.deb      the program, its man page, the bash
#                                      completion (component "runtime")
#   crdbload-dev_<version>_<arch>.deb  libcrdbload.a, include/crdbload/crdbload.h,
#                                      crdbload.pc (component "dev")
#
# scripts/package.sh builds them: -DCMAKE_INSTALL_PREFIX=/usr (so that
# GNUInstallDirs picks Debian's multiarch library directory) and Debian's
# hardening flags (dpkg-buildflags). The
# runtime package's dependencies are computed by dpkg-shlibdeps (dpkg-dev);
# the -dev package depends on what `pkg-config --static --libs crdbload`
# names. packaging/debian/stage.cmake adds what Debian policy wants in the
# staging tree: gzipped man pages, and a copyright file and changelog for
# each package.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME crdbload)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "crdbload maintainers <maintainers@users.noreply.h-seed-7372062f.example>"
  CACHE STRING "Maintainer field of the Debian packages")
set(CPACK_PACKAGE_VENDOR "the crdbload authors")
# No CPACK_PACKAGE_DESCRIPTION_SUMMARY: CPackDeb would put it before the
# first line of each description below, which is each package's synopsis.
# Install with DESTDIR and the real prefix (/usr): crdbload.pc, written at
# install time, names the prefix the package installs to.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # name_version_arch.deb
set(CPACK_DEBIAN_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME crdbload)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION database)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
  "bulk CSV upsert loader for CockroachDB and PostgreSQL
crdbload upserts product catalogs delivered as CSV (plain or gzip, from files
or standard input) into a CockroachDB or PostgreSQL table: in parallel over
pooled libpq connections, retrying transient errors, never losing a row, with
progress, a summary and Prometheus metrics for cron jobs.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME crdbload-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libpq-dev, libcsv-dev, zlib1g-dev, libssl-dev")
set(CPACK_DEBIAN_DEV_PACKAGE_SUGGESTS "pkg-config")
set(CPACK_COMPONENT_DEV_DESCRIPTION
  "bulk CSV upsert loader for CockroachDB and PostgreSQL (development files)
The static library libcrdbload.a behind crdbload (the streaming CSV reader,
batcher, connection pool with retries, and reporter), its headers and a
pkg-config file: link with pkg-config --static --libs crdbload.")

# The Debian changelog of this build; stage.cmake gzips it into each package.
string(TIMESTAMP CRDBLOAD_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
configure_file(${CMAKE_CURRENT_LIST_DIR}/debian/changelog.in
  ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog @ONLY)
set(CPACK_CRDBLOAD_CHANGELOG ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog)
set(CPACK_CRDBLOAD_STRIP ${CMAKE_STRIP})
set(CPACK_CRDBLOAD_COPYRIGHT ${CMAKE_CURRENT_LIST_DIR}/debian/copyright)
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/debian/stage.cmake)

include(CPack)
