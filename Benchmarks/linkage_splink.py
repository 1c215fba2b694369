"""Splink (DuckDB backend) on the prepared synthetic city, configured as Splink's documentation recommends:
name comparisons with term-frequency adjustments, the date-of-birth and postcode comparisons from the
comparison library, exact identifiers; prior from deterministic rules, u by random sampling, m by EM sessions
on two blocking rules (first name + surname + postcode, and date of birth: name-only blocking makes 0.68 billion pairs at a million records); predict over blocking rules that mirror Upstream's; connected components at 0.95.

Usage: python linkage_splink.py PREPARED.parquet OUT.csv [threshold]
DuckDB's memory is capped at $SPLINK_MEMORY_LIMIT (default 8GB) with spilling to disk, because the machine is shared.
Prints stage timings as JSON on the last line.
"""
import json, sys, time, os
import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

def main(parquet, out, threshold=0.95):
    t0 = time.time()
    con = duckdb.connect()
    threads = os.cpu_count()
    con.execute(f"SET threads TO {threads}")
    # The machine is shared (24 GB): cap DuckDB and let it spill to disk rather than take every byte.
    con.execute(f"SET memory_limit = '{os.environ.get('SPLINK_MEMORY_LIMIT', '8GB')}'")
    con.execute(f"SET temp_directory = '{os.path.dirname(os.path.abspath(out))}/duckdb-tmp'")
    con.execute(f"CREATE TABLE records AS SELECT * FROM read_parquet('{parquet}')")
    db_api = DuckDBAPI(connection=con)
    df = db_api.register("records")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex"),
            cl.ExactMatch("nhs"),
            cl.ExactMatch("upn"),
            cl.ExactMatch("pnc"),
            cl.ExactMatch("local_id"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("nhs"), block_on("upn"), block_on("pnc"), block_on("local_id"),
            block_on("dob", "substr(surname, 1, 1)"), block_on("dob", "substr(first_name, 1, 1)"),
            block_on("dob", "postcode"),
            block_on("surname", "substr(first_name, 1, 1)", "substr(dob, 1, 4)"),
            block_on("first_name", "surname", "substr(postcode, 1, length(postcode) - 2)"),
            block_on("substr(dob, 6, 5)", "surname"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(df, settings)
    t_setup = time.time()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nhs"), block_on("upn"), block_on("pnc"), block_on("first_name", "surname", "dob")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname", "postcode"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    t_train = time.time()
    pred = linker.inference.predict(threshold_match_probability=0.5)
    t_pred = time.time()
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(pred, threshold_match_probability=threshold)
    t_cluster = time.time()
    con.execute(f"COPY (SELECT source_dataset AS source, record_id, cluster_id AS person_id FROM {clusters.physical_name}) TO '{out}' (HEADER, DELIMITER ',')")
    t_end = time.time()
    print(json.dumps({"setup": t_setup - t0, "train": t_train - t_setup, "predict": t_pred - t_train,
                      "cluster": t_cluster - t_pred, "export": t_end - t_cluster, "total": t_end - t0}))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], float(sys.argv[3]) if len(sys.argv) > 3 else 0.95)
