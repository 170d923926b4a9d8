-- Python UDFs from udfs/ (imported from PYTHONPATH, which `rva stack up` sets).
CREATE TEMPORARY SYSTEM FUNCTION ZONE_OF AS 'udfs.zone_mapping.zone_of' LANGUAGE PYTHON;
CREATE TEMPORARY SYSTEM FUNCTION LINE_SIDES AS 'udfs.line_crossing.line_sides' LANGUAGE PYTHON;
CREATE TEMPORARY SYSTEM FUNCTION ZONE_OCCUPANCY AS 'udfs.occupancy.zone_occupancy' LANGUAGE PYTHON;
