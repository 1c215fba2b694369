"""Splink 5 (DuckDB) on a Faker file, with the same comparisons, blocking rules and training sample sizes as the
Upstream config `linkage_benchmark.py` writes. Timed end to end by the caller: load the CSV, clean it in SQL (the
standardisation Upstream does: case, accents, spaces, postcode format), train (prior, u, two EM sessions), predict,
cluster at the threshold, export.

Usage: python linkage_splink.py INPUT.csv OUT.csv U_PAIRS [threshold]
DuckDB runs with 2 threads and no memory cap (its default); any spill goes to OUT's folder and its size is reported.
Prints stage timings as JSON on the last line.
"""
import json, os, sys, time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

CLEAN = r"""
CREATE TABLE records AS
SELECT record_id AS unique_id,
       nullif(lower(strip_accents(trim(first_name))), '') AS first_name,
       nullif(lower(strip_accents(trim(surname))), '') AS surname,
       nullif(upper(trim(sex)), '') AS sex,
       nullif(trim(dob), '') AS dob,
       nullif(trim(regexp_replace(lower(strip_accents(concat_ws(' ', address_1, address_2))), '[^a-z0-9]+', ' ', 'g')), '') AS address,
       nullif(lower(trim(town)), '') AS town,
       CASE WHEN length(replace(trim(postcode), ' ', '')) >= 5
            THEN upper(substr(replace(trim(postcode), ' ', ''), 1, length(replace(trim(postcode), ' ', '')) - 3) || ' ' ||
                       right(replace(trim(postcode), ' ', ''), 3)) END AS postcode,
       nullif(regexp_replace(upper(national_id), '[^A-Z0-9]', '', 'g'), '') AS national_id
FROM read_csv('{path}', header = true, all_varchar = true)
"""


def main(path, out, u_pairs, threshold=0.95):
    t0 = time.time()
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    tmp = os.path.join(os.path.dirname(os.path.abspath(out)), "duckdb-tmp")
    con.execute(f"SET temp_directory = '{tmp}'")
    con.execute(CLEAN.format(path=path))
    db_api = DuckDBAPI(connection=con)
    df = db_api.register("records")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("surname", [0.92, 0.8]).configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("town").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address", [0.9, 0.7]),
            cl.LevenshteinAtThresholds("national_id", [1]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("national_id"),
            block_on("dob", "substr(surname, 1, 1)"),
            block_on("first_name", "surname"),
            block_on("postcode", "substr(first_name, 1, 1)"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(df, settings)
    t_setup = time.time()
    linker.training.estimate_probability_two_random_records_match([block_on("national_id")], recall=0.6)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=42)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    t_train = time.time()
    pred = linker.inference.predict(threshold_match_probability=0.5)
    t_pred = time.time()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold_match_probability=threshold)
    t_cluster = time.time()
    con.execute(f"COPY (SELECT 'a' AS source, unique_id AS record_id, cluster_id AS person_id FROM {clusters.physical_name}) TO '{out}' (HEADER, DELIMITER ',')")
    t_end = time.time()
    spill = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(tmp) for f in fs) if os.path.isdir(tmp) else 0
    print(json.dumps({"setup": t_setup - t0, "train": t_train - t_setup, "predict": t_pred - t_train,
                      "cluster": t_cluster - t_pred, "export": t_end - t_cluster, "total": t_end - t0, "spill_bytes": spill}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]) if len(sys.argv) > 4 else 0.95)
