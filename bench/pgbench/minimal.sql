-- one tiny durable insert per transaction: the raw commit (WAL fsync) ceiling of this machine
insert into bench_minimal (conv, body) values (:client_id, 'x');
