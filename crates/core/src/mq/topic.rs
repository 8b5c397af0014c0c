//! RabbitMQ topic-exchange routing.
