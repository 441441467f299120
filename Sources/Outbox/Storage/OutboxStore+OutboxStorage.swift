/// The embedded SQLite file is one storage of the outbox; its methods are the requirements.
extension OutboxStore: OutboxStorage {}
