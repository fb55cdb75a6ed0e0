# Debian package (CPack DEB): `cpack -G DEB` in a build tree, or installers/debian/build-deb.sh.
# The three binaries install themselves (app/*/CMakeLists.txt), and so does the bundled example
# (app/gui). This file adds the desktop integration (entry, icon, MIME types), the man pages and the
# maintainer script that gives sipscope-capture its capture capabilities. See installers/README.md.

set(SIPSCOPE_INSTALLERS_DIR ${PROJECT_SOURCE_DIR}/installers)
# Placeholders until the project has a public home; a release build sets them on the command line.
set(SIPSCOPE_PACKAGE_MAINTAINER "SipScope Developers <dev@sipscope.example>" CACHE STRING
    "Maintainer field of the .deb")
set(SIPSCOPE_PACKAGE_HOMEPAGE "https://sipscope.example/" CACHE STRING "Homepage field of the .deb")

# Directories the install rules below create are 0755 whatever the builder's umask.
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS
    OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

# Installed paths are relative to CPACK_PACKAGING_INSTALL_PREFIX (/usr) in the package.
install(FILES ${SIPSCOPE_INSTALLERS_DIR}/linux/sipscope.desktop DESTINATION share/applications)
install(FILES ${PROJECT_SOURCE_DIR}/resources/icons/sipscope.svg
        DESTINATION share/icons/hicolor/scalable/apps)
install(FILES ${SIPSCOPE_INSTALLERS_DIR}/linux/sipscope-mime.xml DESTINATION share/mime/packages
        RENAME sipscope.xml)

# Debian policy §12.1: man pages compressed with gzip -9; -n leaves the name and time stamp out so
# the package is reproducible.
find_program(SIPSCOPE_GZIP gzip REQUIRED)
set(man_pages sipscope.1 sipscope-cli.1 sipscope-capture.1)
set(man_outputs)
foreach(page IN LISTS man_pages)
  set(src ${SIPSCOPE_INSTALLERS_DIR}/linux/${page})
  set(out ${PROJECT_BINARY_DIR}/man/${page}.gz)
  # gzip replaces the copy by copy.gz (no shell redirection, so VERBATIM quoting is safe).
  add_custom_command(
    OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E copy ${src} ${PROJECT_BINARY_DIR}/man/${page}
    COMMAND ${SIPSCOPE_GZIP} -9 -n -f ${PROJECT_BINARY_DIR}/man/${page}
    DEPENDS ${src}
    COMMENT "Compressing man page ${page}"
    VERBATIM)
  list(APPEND man_outputs ${out})
endforeach()
add_custom_target(sipscope_man_pages ALL DEPENDS ${man_outputs})
install(FILES ${man_outputs} DESTINATION share/man/man1)

# Debian policy §12.7: every binary package has a changelog.Debian.gz. The project keeps no
# release notes yet, so the entry only names the version. string(TIMESTAMP) follows
# SOURCE_DATE_EPOCH when it is set, for reproducible packages.
string(TIMESTAMP changelog_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(changelog ${PROJECT_BINARY_DIR}/debian/changelog.Debian)
file(WRITE ${changelog}.in
     "sipscope (${PROJECT_VERSION}-1) unstable; urgency=medium\n\n"
     "  * Package built from the SipScope source tree (CPack).\n\n"
     " -- ${SIPSCOPE_PACKAGE_MAINTAINER}  ${changelog_date}\n")
add_custom_command(
  OUTPUT ${changelog}.gz
  COMMAND ${CMAKE_COMMAND} -E copy ${changelog}.in ${changelog}
  COMMAND ${SIPSCOPE_GZIP} -9 -n -f ${changelog}
  DEPENDS ${changelog}.in
  VERBATIM)
add_custom_target(sipscope_deb_changelog ALL DEPENDS ${changelog}.gz)
install(FILES ${changelog}.gz DESTINATION share/doc/sipscope)

# --- CPack ----------------------------------------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sipscope)
set(CPACK_PACKAGE_VENDOR "SipScope")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${SIPSCOPE_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SIP traffic analyzer: calls, ladder diagrams, live capture")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${PROJECT_BINARY_DIR}/packages)

set(CPACK_DEBIAN_PACKAGE_NAME sipscope)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # sipscope_<version>-<release>_amd64.deb
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE amd64)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${CPACK_PACKAGE_CONTACT})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE ${SIPSCOPE_PACKAGE_HOMEPAGE})
# The extended description; CPack puts CPACK_PACKAGE_DESCRIPTION_SUMMARY before it as the synopsis
# and indents it for the control file.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "SipScope rebuilds SIP transactions, dialogs and calls from pcap and pcapng
captures or from a live capture, draws them as ladder diagrams and keeps them
in an SQLite database. It reports RFC 6076 metrics, retransmissions and
protocol anomalies.
.
This package contains the Qt desktop application (sipscope), the command-line
tool (sipscope-cli) and the small capture helper (sipscope-capture), which is
the only program given the cap_net_raw and cap_net_admin capabilities.")

# dpkg-shlibdeps computes the library dependencies (Qt, libpcap, OpenSSL, SQLite, zlib); the rest
# are programs and plugins no ELF file links: setcap for postinst, the Qt platform plugins.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libcap2-bin, qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "wireshark, tcpdump")
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)

set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${SIPSCOPE_INSTALLERS_DIR}/debian/postinst)
# Maintainer scripts 0755 and control files 0644 whatever the source tree's modes are.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
