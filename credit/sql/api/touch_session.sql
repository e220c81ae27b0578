-- The session was used: its idle timeout starts again.
update api_sessions set last_seen_at = now() where session_hash = :h
