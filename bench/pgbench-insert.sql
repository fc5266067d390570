-- One single-row insert per transaction: the storage ceiling that bench/load.sh measures creates against.
INSERT INTO load_baseline (payload) VALUES ('a small row, about the size of an audit record');
