-- One row per channel of the bank's reference list.
CREATE OR REPLACE TABLE warehouse.dim_channel AS
SELECT
    code AS channel,
    description
FROM reference.channels
ORDER BY channel
