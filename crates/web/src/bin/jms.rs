//! The page of the lab "jms": this binary links that lab alone.

fn main() {
    distlab_web::start::<distlab_core::mq::jms::JmsLab>();
}
