# packaging/debian/stage.cmake - run by CPack (CPACK_PRE_BUILD_SCRIPTS) on the
# staging tree, before the .deb files are made: what Debian policy asks of
# every package that the install rules do not do themselves.
#   - man pages compressed with gzip -9n (no name, no time stamp);
#   - /usr/share/doc/PACKAGE/copyright and changelog.gz in each package;
#   - as dh_strip does: no .comment and .note sections in the program
#     (CPACK_STRIP_FILES strips its symbols), no debug information in the
#     static library (its symbols stay: it is linked against).
# One staging directory a component: runtime -> crdbload, dev -> crdbload-dev.

function(strip_file file)
  execute_process(COMMAND "${CPACK_CRDBLOAD_STRIP}" ${ARGN} "${file}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${CPACK_CRDBLOAD_STRIP} ${ARGN} ${file} failed")
  endif()
endfunction()

function(stage_component dir package)
  file(GLOB programs "${dir}/usr/bin/*")
  foreach(program ${programs})
    strip_file("${program}" --remove-section=.comment --remove-section=.note)
  endforeach()
  file(GLOB_RECURSE archives "${dir}/usr/lib/*.a")
  foreach(archive ${archives})
    strip_file("${archive}" --strip-debug --remove-section=.comment --remove-section=.note
      --enable-deterministic-archives)
  endforeach()

  file(GLOB_RECURSE pages "${dir}/usr/share/man/*")
  foreach(page ${pages})
    if(NOT page MATCHES "\\.gz$")
      execute_process(COMMAND gzip -9n "${page}" RESULT_VARIABLE rc)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR "gzip ${page} failed")
      endif()
    endif()
  endforeach()

  set(doc "${dir}/usr/share/doc/${package}")
  file(MAKE_DIRECTORY "${doc}")
  file(COPY "${CPACK_CRDBLOAD_COPYRIGHT}" DESTINATION "${doc}"
    FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  execute_process(COMMAND gzip -9n -c "${CPACK_CRDBLOAD_CHANGELOG}"
    OUTPUT_FILE "${doc}/changelog.gz" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "gzip ${CPACK_CRDBLOAD_CHANGELOG} failed")
  endif()
  file(CHMOD "${doc}/changelog.gz" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endfunction()

foreach(pair "runtime;crdbload" "dev;crdbload-dev")
  list(GET pair 0 component)
  list(GET pair 1 package)
  if(NOT IS_DIRECTORY "${CPACK_TEMPORARY_DIRECTORY}/${component}")
    message(FATAL_ERROR "stage.cmake: no staging directory for component ${component}"
      " in ${CPACK_TEMPORARY_DIRECTORY}")
  endif()
  stage_component("${CPACK_TEMPORARY_DIRECTORY}/${component}" ${package})
endforeach()
