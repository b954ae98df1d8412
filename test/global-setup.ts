// Replaced by the database template setup once the platform lands.
export default async function setup(): Promise<void> {}
