-- How an application for removal was submitted (channel, documents, API key); one row per request.
insert into repair_submissions (request_id, channel, documents, key_id, config_version)
values (:i, :c, :d, :k, :cv)
