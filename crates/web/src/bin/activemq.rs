//! The page of the lab "activemq": this binary links that lab alone.

fn main() {
    distlab_web::start::<distlab_core::mq::activemq::AmqLab>();
}
