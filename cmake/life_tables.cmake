# The shipped life tables (params/data/life-table-NAME.csv: lines
# "age,qx_male,qx_female" after a commented header) as C initialisers for
# params/life_table.c, so that the CSV file is the only copy of the numbers.
# Included by CMakeLists.txt and by the explorer's build (explorer/CMakeLists.txt):
# ipsim_life_tables(OUTPUT) writes the header OUTPUT from the CSV files under
# SOURCE_DIR/params/data, and reconfigures when they change.
set(IPSIM_LIFE_TABLES uk_2017_2019)
function(ipsim_life_tables source_dir output)
  set(IPSIM_LIFE_TABLE_DEFINES "")
  foreach(table IN LISTS IPSIM_LIFE_TABLES)
    string(REPLACE "_" "-" file_stem ${table})
    set(csv ${source_dir}/params/data/life-table-${file_stem}.csv)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${csv})
    file(STRINGS ${csv} csv_lines)
    string(TOUPPER ${table} upper)
    set(rows "")
    foreach(line IN LISTS csv_lines)
      if(line MATCHES "^([0-9]+),([0-9.eE+-]+),([0-9.eE+-]+)$")
        string(APPEND rows " \\\n    {${CMAKE_MATCH_1}, {${CMAKE_MATCH_2}, ${CMAKE_MATCH_3}}},")
      elseif(NOT line MATCHES "^(#|age,)")
        message(FATAL_ERROR "${csv}: a line that is not 'age,qx_male,qx_female': ${line}")
      endif()
    endforeach()
    string(APPEND IPSIM_LIFE_TABLE_DEFINES "#define IPSIM_LIFE_TABLE_ROWS_${upper}${rows}\n")
  endforeach()
  file(CONFIGURE OUTPUT ${output}
       CONTENT "/* Generated from params/data/life-table-*.csv by cmake/life_tables.cmake. */\n@IPSIM_LIFE_TABLE_DEFINES@" @ONLY)
endfunction()
