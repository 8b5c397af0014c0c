//! The page of the lab "flow": this binary links that lab alone.

fn main() {
    distlab_web::start::<distlab_core::mq::flow::FlowLab>();
}
