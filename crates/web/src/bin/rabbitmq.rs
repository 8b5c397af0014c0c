//! The page of the lab "rabbitmq": this binary links that lab alone.

fn main() {
    distlab_web::start::<distlab_core::mq::rabbit::RabbitLab>();
}
